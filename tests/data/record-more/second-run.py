# Creates a marker on its first run; on a later run (the marker exists) makes a directory
# instead: a workload whose replay under --verify does what its recording did not.
import os
import sys

marker = sys.argv[1]
if os.path.exists(marker):
    os.mkdir(marker + ".d")
    print("second run: mkdir")
else:
    open(marker, "w").close()
    print("first run: marker")

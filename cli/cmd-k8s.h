/* The subcommands of `sysfence k8s`, one file each (cli/cmd-k8s-NAME.c), dispatched by
 * cli/cmd-k8s.c. argv[0] is the subcommand's name. */
#ifndef SF_CLI_CMD_K8S_H
#define SF_CLI_CMD_K8S_H

int k8s_export(int argc, char **argv);
int k8s_install(int argc, char **argv);
int k8s_kubelet_check(int argc, char **argv);

#endif

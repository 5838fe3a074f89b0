package io.edgeproxy.tools.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code edgeproxy completion}: a bash/zsh completion script for every command and option. */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = "Print a bash (and zsh, with bashcompinit) completion script for edgeproxy. Use: source "
        + "<(edgeproxy completion), or save it to /etc/bash_completion.d/edgeproxy.")
public final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("edgeproxy", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}

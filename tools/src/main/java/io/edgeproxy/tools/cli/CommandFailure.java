package io.edgeproxy.tools.cli;

/**
 * A command could not do what was asked (exit code 1). The message says what went wrong and what
 * was expected; {@link Cli} prints it to stderr after the command's name, without a stack trace.
 */
final class CommandFailure extends RuntimeException {
  CommandFailure(String message) {
    super(message, null, false, false);
  }
}

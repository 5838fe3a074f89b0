package io.edgeproxy.core.testing.net;

/**
 * A {@link NetworkLab} could not be built, changed or torn down: a command failed, a tool is missing, or
 * the machine lacks a privilege. The message names the command or the missing piece.
 */
public final class NetworkLabException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NetworkLabException(String message) {
    super(message);
  }

  public NetworkLabException(String message, Throwable cause) {
    super(message, cause);
  }
}

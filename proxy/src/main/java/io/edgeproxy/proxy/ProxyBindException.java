package io.edgeproxy.proxy;

/** A listener address could not be bound (in use, not local, no permission). */
public final class ProxyBindException extends RuntimeException {
  public ProxyBindException(String message, Throwable cause) {
    super(message, cause);
  }
}

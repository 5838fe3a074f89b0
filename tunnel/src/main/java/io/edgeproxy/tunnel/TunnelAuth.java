package io.edgeproxy.tunnel;

import org.jspecify.annotations.Nullable;

/** Decides whether a token may serve an app through a tunnel. */
@FunctionalInterface
public interface TunnelAuth {
  /** Null when {@code token} may serve {@code app}; else why not (never the token itself). */
  @Nullable String refuse(String app, String token);
}

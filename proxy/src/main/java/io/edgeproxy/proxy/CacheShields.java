package io.edgeproxy.proxy;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.jspecify.annotations.Nullable;

/**
 * The edge cache's regional shield (L2): which POP of this one's region answers for a key, so the
 * origin sees one request however many POPs miss, and a stream to that POP over the mutual-TLS
 * links between POPs. The stream lives on the link's event loop, like a tunnel stream
 * ({@link ClientLoop}).
 */
public interface CacheShields {
  /** The app a POP asks its shield for (the shield serves it only if its Host routes there too). */
  String APP_FIELD = "edgeproxy-shield-app";
  /** On a response the shield made itself (it could not serve the request): the asking POP goes to the origin. */
  String ERROR_FIELD = "edgeproxy-shield-error";

  /** No shield: every miss goes to the origin. */
  CacheShields NONE = new CacheShields() {
    @Override
    public @Nullable String shieldOf(String key) {
      return null;
    }

    @Override
    public Future<Channel> open(String pop) {
      return ImmediateEventExecutor.INSTANCE.newFailedFuture(new IllegalStateException("no shields on this POP"));
    }

    @Override
    public String self() {
      return "-";
    }
  };

  /** The POP whose cache shields {@code key}; null when it is this one, or no other POP of the region is a member. */
  @Nullable String shieldOf(String key);

  /** A stream to {@code pop}'s shield, which serves it as an HTTP/1.1 connection (reads paused); fails when it cannot. */
  Future<Channel> open(String pop);

  /** This POP's node id (its name in Cache-Status when it answers as a shield). */
  String self();
}

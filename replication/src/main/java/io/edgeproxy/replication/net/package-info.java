/**
 * The protocol's runtime on Netty QUIC: connections with mutual TLS, streams of length-prefixed
 * Protobuf envelopes, one database thread. Handlers only decode and dispatch; sends never block
 * that thread ({@link io.edgeproxy.replication.net.NettyStream}).
 */
@NullMarked
package io.edgeproxy.replication.net;

import org.jspecify.annotations.NullMarked;

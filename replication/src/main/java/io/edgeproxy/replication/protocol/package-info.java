/**
 * The replication protocol without I/O: {@link io.edgeproxy.replication.protocol.ReplicaNode}
 * takes membership events, messages, local commits and time, and answers through a
 * {@link io.edgeproxy.replication.protocol.ReplicaRuntime}; one thread, no locks. Production
 * runs it over Netty ({@code net}), the tests' simulator over virtual time and network.
 */
@NullMarked
package io.edgeproxy.replication.protocol;

import org.jspecify.annotations.NullMarked;

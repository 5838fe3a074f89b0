/**
 * Replication of routing.db between POPs: {@link io.edgeproxy.replication.Replicator} wires
 * membership, the QUIC change-stream and the protocol node, and is the appliance's seam (write
 * receipts, status, counters). See the module's DESIGN.md.
 *
 * <p>Packages: {@code protocol} (the protocol as sans-IO state machines), {@code net} (its Netty
 * QUIC side), {@code cluster} (SWIM membership), {@code tls} (the cluster PKI).
 */
@NullMarked
package io.edgeproxy.replication;

import org.jspecify.annotations.NullMarked;

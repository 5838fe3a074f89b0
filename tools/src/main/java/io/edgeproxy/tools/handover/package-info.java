/**
 * The zero-downtime hand-over between two agents on one routing.db ({@code edgeproxy agent
 * --take-over}, {@code edgeproxy reload}): the running agent listens on a Unix socket beside
 * routing.db ({@link io.edgeproxy.tools.handover.HandOverServer}), the new one talks to it
 * ({@link io.edgeproxy.tools.handover.HandOverClient}); the order of the steps is in
 * {@code tools/DESIGN.md}. {@link io.edgeproxy.tools.handover.SystemdNotify} tells systemd which
 * process is the service's main one.
 */
@NullMarked
package io.edgeproxy.tools.handover;

import org.jspecify.annotations.NullMarked;

/**
 * The auto-discovery HTTP API: backends register, heartbeat and deregister with bearer tokens;
 * registrations are routing.db rows (so they route at once and replicate); leases expire on
 * every POP. Also serves route explanations, members, Prometheus metrics and the status page.
 */
@NullMarked
package io.edgeproxy.discovery;

import org.jspecify.annotations.NullMarked;

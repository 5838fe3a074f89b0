/**
 * The {@code edgeproxy} command line (picocli): {@code agent} runs the appliance, {@code demo} a
 * single demo POP; {@code status}, {@code members}, {@code backends}, {@code route explain},
 * {@code geo}, {@code register}/{@code deregister}, {@code token}, {@code certs} and
 * {@code completion} are operator commands ({@code sql} lives in {@code cli.sql}). Configuration
 * flags are generated from the one key table.
 *
 * <p>Starting points: {@link io.edgeproxy.tools.cli.Cli#run}, {@link io.edgeproxy.tools.cli.AgentCommand},
 * {@link io.edgeproxy.tools.cli.BackendsCommand}, {@link io.edgeproxy.tools.cli.RouteCommand}.
 */
@NullMarked
package io.edgeproxy.tools.cli;

import org.jspecify.annotations.NullMarked;

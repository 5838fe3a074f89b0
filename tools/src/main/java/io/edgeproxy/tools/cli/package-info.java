/**
 * The {@code edgeproxy} command line (picocli): {@code agent} runs the appliance, {@code demo} a
 * single demo POP. Configuration flags are generated from the one key table.
 *
 * <p>Starting points: {@link io.edgeproxy.tools.cli.Cli#run}, {@link io.edgeproxy.tools.cli.AgentCommand}.
 */
@NullMarked
package io.edgeproxy.tools.cli;

import org.jspecify.annotations.NullMarked;

/** The device tunnels a POP holds: listener, routing.db rows, streams for the proxy. */
@NullMarked
package io.edgeproxy.tools.tunnel;

import org.jspecify.annotations.NullMarked;

/** Device tunnels: the POP's QUIC tunnel listener and the agent on the device (see DESIGN.md). */
@NullMarked
package io.edgeproxy.tunnel;

import org.jspecify.annotations.NullMarked;

/** Sockets as the operating system sees them: whether a port is taken before it is joined. */
@NullMarked
package io.edgeproxy.core.net;

import org.jspecify.annotations.NullMarked;

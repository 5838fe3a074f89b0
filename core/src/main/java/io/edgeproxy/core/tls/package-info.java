/** What a TLS stack is handed: one key and its chain, as they are. */
@NullMarked
package io.edgeproxy.core.tls;

import org.jspecify.annotations.NullMarked;

/**
 * The certificates this POP serves: TLS settings shared by every listener, the HTTPS edge's
 * certificate store (default, directory, replicated table) and the sealing of private keys kept
 * in routing.db.
 */
@NullMarked
package io.edgeproxy.tools.tls;

import org.jspecify.annotations.NullMarked;

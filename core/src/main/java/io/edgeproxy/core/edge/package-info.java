/**
 * The HTTPS edge's routing facts: which app a TLS server name (SNI) reaches, how (terminated here
 * or passed through to the backend's own TLS), and the certificates served by name. Pure data and
 * decisions; the listener is in {@code io.edgeproxy.proxy.edge}.
 */
@NullMarked
package io.edgeproxy.core.edge;

import org.jspecify.annotations.NullMarked;

/**
 * The demo POP: small HTTP backends that say who they are and why edgeproxy sent the client to
 * them, and the routing.db that lists them.
 *
 * <p>Starting points: {@link io.edgeproxy.tools.demo.DemoBackend}, {@link io.edgeproxy.tools.demo.DemoPop}.
 */
@NullMarked
package io.edgeproxy.tools.demo;

import org.jspecify.annotations.NullMarked;

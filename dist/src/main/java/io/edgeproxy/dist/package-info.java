/**
 * Build-time code of the packages: what the dist build generates from the rest of the project.
 * Today that is the Debian package's {@code /etc/edgeproxy/edgeproxy.env}, written from the
 * configuration key table so it cannot drift from the code.
 *
 * <p>Starting points: {@link io.edgeproxy.dist.EnvFile}.
 */
@NullMarked
package io.edgeproxy.dist;

import org.jspecify.annotations.NullMarked;

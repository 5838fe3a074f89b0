/**
 * The one immutable configuration, its key table and its pure loader.
 *
 * <p>Starting points: {@link io.edgeproxy.core.config.EdgeConfig#load}, {@link io.edgeproxy.core.config.ConfigKey}.
 */
@NullMarked
package io.edgeproxy.core.config;

import org.jspecify.annotations.NullMarked;

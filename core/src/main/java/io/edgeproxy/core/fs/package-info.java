/** Files the appliance holds: exclusive locks of data directories. */
@NullMarked
package io.edgeproxy.core.fs;

import org.jspecify.annotations.NullMarked;

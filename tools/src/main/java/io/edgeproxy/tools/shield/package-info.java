/** The edge cache's regional shield, over replication's members and relay links. */
package io.edgeproxy.tools.shield;

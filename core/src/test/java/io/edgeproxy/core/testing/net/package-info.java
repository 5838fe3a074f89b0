/**
 * Real network faults for integration tests: a {@link io.edgeproxy.core.testing.net.NetworkLab} puts hosts
 * in their own network namespaces on one bridge and partitions, isolates, drops or redirects their traffic
 * with iptables; a {@link io.edgeproxy.core.testing.net.DelayRelay} adds latency to one UDP or TCP link, in
 * Java, since the kernel here has no netem. Labs need root, iproute2 and iptables, clean up after
 * themselves (and after JVMs that died), and are shared with other modules through core's test-jar.
 *
 * <p>Starting points: {@link io.edgeproxy.core.testing.net.NetworkLab#create},
 * {@link io.edgeproxy.core.testing.net.Host#start}, {@link io.edgeproxy.core.testing.net.ProbeAgent},
 * {@link io.edgeproxy.core.testing.net.DelayRelay#udp}, {@link io.edgeproxy.core.testing.net.NetworkLabIT}
 * (examples).
 */
@NullMarked
package io.edgeproxy.core.testing.net;

import org.jspecify.annotations.NullMarked;

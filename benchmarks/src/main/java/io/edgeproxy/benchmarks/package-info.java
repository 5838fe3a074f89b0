/**
 * JMH benchmarks of the hot paths. Run with {@code java -jar benchmarks/target/benchmarks.jar};
 * figures and commands are in docs/benchmarks.md.
 *
 * <p>Starting points: {@link io.edgeproxy.benchmarks.SelectionBenchmark}.
 */
package io.edgeproxy.benchmarks;

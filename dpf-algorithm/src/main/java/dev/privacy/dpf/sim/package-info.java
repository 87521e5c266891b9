/**
 * A discrete-event simulator of privacy-budget scheduling on a virtual clock: the DPF paper's
 * microbenchmarks and a macrobenchmark-shaped workload, driving the same {@link
 * dev.privacy.dpf.sched.SchedulingEngine} as the operator (no second implementation of DPF). See
 * docs/evaluation.md.
 */
package dev.privacy.dpf.sim;

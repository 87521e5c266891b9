package dev.privacy.dpf.crds;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a block's budget unlocks. */
public enum UnlockPolicy {
  /** Each arriving claim unlocks 1/N of the block (DPF-N). */
  @JsonProperty("dpf-n")
  DPF_N,
  /** The budget unlocks linearly over the block's lifetime T (DPF-T). */
  @JsonProperty("dpf-t")
  DPF_T,
  /** Everything is unlocked at once (first come, first served). */
  @JsonProperty("fcfs")
  FCFS
}

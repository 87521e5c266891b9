/** The Kubernetes operator: reconcilers, scheduling loop, pod gating. */
package dev.privacy.dpf.operator;

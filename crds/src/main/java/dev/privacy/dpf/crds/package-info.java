/** Custom resource types PrivateBlock and PrivacyClaim (dpf.privacy.dev/v1alpha1). */
package dev.privacy.dpf.crds;

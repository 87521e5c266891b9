package dev.privacy.dpf.crds;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A slice of sensitive data with a differential-privacy budget, registered by its data owner. */
@Group(DpfApi.GROUP)
@Version(DpfApi.VERSION)
@Kind(DpfApi.KIND_BLOCK)
@Plural(DpfApi.PLURAL_BLOCKS)
@ShortNames(DpfApi.SHORT_BLOCK)
@AdditionalPrinterColumn(name = "Dataset", jsonPath = ".spec.dataset")
@AdditionalPrinterColumn(
    name = "Epsilon",
    jsonPath = ".spec.budget.epsilon",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Delta",
    jsonPath = ".spec.budget.delta",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Remaining",
    jsonPath = ".status.remainingEpsilon",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Consumed",
    jsonPath = ".status.consumedEpsilon",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class PrivateBlock extends CustomResource<PrivateBlockSpec, PrivateBlockStatus>
    implements Namespaced {}

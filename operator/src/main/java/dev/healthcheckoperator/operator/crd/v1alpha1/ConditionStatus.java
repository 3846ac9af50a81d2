package dev.healthcheckoperator.operator.crd.v1alpha1;

/** The values of a condition's status, as metav1.Condition allows them; used for the schema's enum. */
public enum ConditionStatus {
    True,
    False,
    Unknown
}

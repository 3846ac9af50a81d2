package dev.healthcheckoperator.operator.dependent;

/** Label selector of the dependents' informers: only objects this operator manages are cached. */
final class ManagedBySelector {

    static final String SELECTOR = "app.kubernetes.io/managed-by=" + SidecarNames.MANAGED_BY;

    private ManagedBySelector() {
    }
}

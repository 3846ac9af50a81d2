package dev.healthcheckoperator.sidecar.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** A {@link FakeUpstream} started before the sidecar, and a checks file that probes it. */
public abstract class UpstreamWithChecks implements QuarkusTestResourceLifecycleManager {

    private FakeUpstream upstream;

    /** Hands the started upstream to the test (a static field: the test instance does not exist yet). */
    protected abstract void started(FakeUpstream upstream);

    protected abstract String checksYaml(FakeUpstream upstream);

    @Override
    public Map<String, String> start() {
        try {
            upstream = new FakeUpstream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        started(upstream);
        return ChecksFiles.configFor(checksYaml(upstream));
    }

    @Override
    public void stop() {
        upstream.close();
    }
}

package dev.healthcheckoperator.sidecar.diagnostics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last N process samples: the window the leak checks judge. Bounded, so it never grows itself. */
final class SampleRing {

    private final int capacity;
    private final ArrayDeque<ProcessSample> samples;

    SampleRing(int capacity) {
        this.capacity = capacity;
        this.samples = new ArrayDeque<>(capacity);
    }

    synchronized void add(ProcessSample sample) {
        if (samples.size() == capacity) {
            samples.removeFirst();
        }
        samples.addLast(sample);
    }

    /** The window plus a fresh reading, oldest first. */
    synchronized List<ProcessSample> snapshotWith(ProcessSample latest) {
        List<ProcessSample> copy = new ArrayList<>(samples);
        copy.add(latest);
        return copy;
    }
}

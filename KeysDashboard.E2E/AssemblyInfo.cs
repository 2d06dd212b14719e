// Each browser test starts its own server and Chromium; on a 2-core machine running them side by side makes
// timing, not behaviour, decide the outcome. One at a time is slower and deterministic.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

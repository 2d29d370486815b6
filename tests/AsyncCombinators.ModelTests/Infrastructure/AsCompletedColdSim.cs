namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// The model of AsCompleted over operations: start in input order, at most maxConcurrency at once, the next as soon as
/// one completes; every operation is yielded in completion order, a failing one like any other. The caller's token
/// starts nothing more, cancels the running ones and ends the enumeration with OperationCanceledException; the
/// enumeration has ended (DisposeAsync included) only when nothing it started is running.
/// </summary>
public sealed class AsCompletedColdSim : ColdSim
{
    private readonly int _max;
    private int _next;
    private bool _canceled;

    public AsCompletedColdSim(ColdScenario scenario)
        : base(scenario) => _max = scenario.MaxConcurrency == 0 ? int.MaxValue : scenario.MaxConcurrency;

    /// <summary>Gets the indexes in the order they must be yielded (before a cancellation).</summary>
    public List<int> Order { get; } = new();

    /// <summary>Gets the position whose MoveNext throws (selector forms; null: never).</summary>
    public int? SourceThrowsAt { get; init; }

    /// <summary>Gets whether the source failed: the enumeration stops as on a failure and throws its exception.</summary>
    public bool SourceFailed { get; private set; }

    /// <summary>Gets whether the enumeration ends with OperationCanceledException.</summary>
    public bool Canceled => _canceled;

    protected override void OnCall()
    {
        if (Scenario.Token.Mode == TokenMode.PreCanceled)
        {
            _canceled = true;
            YieldsOpen = true;
            Complete();
            return;
        }

        StartMore();
        Complete();
    }

    protected override void OnFinished(int i, OpEnd ending)
    {
        if (!_canceled)
        {
            Order.Add(i);
            Yielded = Order.Count;
            StartMore();
        }

        Complete();
    }

    protected override void OnCallerCancel()
    {
        if (Result is not null || _canceled)
        {
            if (SourceFailed && Result is null)
            {
                AlsoAccepted.Add(new ValueEnding(nameof(OperationCanceledException)));
            }

            return;
        }

        // Whether operations that the cancellation itself ends are yielded before OperationCanceledException is open.
        _canceled = true;
        YieldsOpen = true;
        CancelRunning();
        Complete();
    }

    private void StartMore()
    {
        while (!_canceled && Running.Count() < _max && (_next < Scenario.Ops.Length || _next == SourceThrowsAt))
        {
            if (_next == SourceThrowsAt)
            {
                // Whether operations that the stop itself ends are yielded before the exception is open, as for the token.
                _canceled = true;
                SourceFailed = true;
                YieldsOpen = true;
                CancelRunning();
                return;
            }

            Start(_next++);
        }
    }

    private void Complete()
    {
        if (Result is null && !Running.Any() && (_canceled || (_next == Scenario.Ops.Length && _next != SourceThrowsAt)))
        {
            Result = new ValueEnding(SourceFailed ? nameof(ScenarioException) : _canceled ? nameof(OperationCanceledException) : "end");
        }
    }
}

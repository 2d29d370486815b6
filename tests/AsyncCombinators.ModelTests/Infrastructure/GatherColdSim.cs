namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// The model of Gather and GatherOutcomes over operations: start in input order, at most maxConcurrency at once;
/// Gather stops on the first failure (a fault, a synchronous throw, or a cancellation it did not cause), cancels the
/// running ones, waits for them and throws that failure; GatherOutcomes runs everything; the caller's token starts
/// nothing more, cancels the running ones, waits and throws OperationCanceledException.
/// </summary>
public sealed class GatherColdSim : ColdSim
{
    private readonly bool _outcomes;
    private readonly bool _plain;
    private readonly int _max;
    private readonly Func<int, Exception> _exception;
    private int _next;
    private bool _stopped;
    private bool _callerCanceled;
    private int? _firstFailure;

    public GatherColdSim(ColdScenario scenario, bool outcomes, bool plain, Func<int, Exception> exception)
        : base(scenario)
    {
        _outcomes = outcomes;
        _plain = plain;
        _max = scenario.MaxConcurrency == 0 ? int.MaxValue : scenario.MaxConcurrency;
        _exception = exception;
    }

    /// <summary>Gets the faults observed (exceptions the returned task's AggregateException must hold), in the order they happened.</summary>
    public List<int> Faults { get; } = new();

    /// <summary>Gets the operations that ended canceled by themselves after the first failure (the contract does not say whether they join the AggregateException).</summary>
    public int LateSelfCancels { get; private set; }

    public int? FirstFailure => _firstFailure;

    /// <summary>Gets the position whose MoveNext throws <see cref="SourceException"/> (selector forms; null: never).</summary>
    public int? SourceThrowsAt { get; init; }

    public Exception? SourceException { get; init; }

    private bool _sourceFailed;

    private bool _sourceFirst;

    public bool CallerCanceled => _callerCanceled;

    protected override void OnCall()
    {
        if (Scenario.Token.Mode == TokenMode.PreCanceled)
        {
            _stopped = true;
            _callerCanceled = true;
            if (Scenario.Ops.Length == 0)
            {
                // An empty input with a cancelled token: the contract orders neither.
                AlsoAccepted.Add(new ValueEnding(string.Empty));
            }

            Complete();
            return;
        }

        StartMore();
        Complete();
    }

    protected override void OnFinished(int i, OpEnd ending)
    {
        if (ending == OpEnd.Fault)
        {
            Faults.Add(i);
        }

        bool failure = ending is OpEnd.Fault or OpEnd.SelfCanceled;
        if (failure && _firstFailure is not null && ending == OpEnd.SelfCanceled)
        {
            LateSelfCancels++;
        }

        if (!_outcomes && failure && _firstFailure is null && !_callerCanceled)
        {
            _firstFailure = i;
            _stopped = true;
            CancelRunning();
        }

        StartMore();
        Complete();
    }

    protected override void OnCallerCancel()
    {
        if (Result is not null || _callerCanceled)
        {
            return;
        }

        _stopped = true;
        if (_firstFailure is null && !_sourceFailed)
        {
            _callerCanceled = true;
        }
        else
        {
            // The token cancelled while Gather waits for the running operations after a failure: the contract says
            // both "throws the first failure" and "the caller's token ... throws OperationCanceledException".
            AlsoAccepted.Add(new CanceledEnding());
        }

        CancelRunning();
        Complete();
    }

    private void StartMore()
    {
        while (!_stopped && Result is null && Running.Count() < _max)
        {
            if (_next == SourceThrowsAt)
            {
                // The source failing is a failure like an operation's: Gather stops and cancels, GatherOutcomes waits.
                _sourceFailed = true;
                _stopped = true;
                if (!_outcomes && _firstFailure is null)
                {
                    _sourceFirst = true;
                    CancelRunning();
                }

                return;
            }

            if (_next >= Scenario.Ops.Length)
            {
                return;
            }

            Start(_next++);
        }
    }

    private void Complete()
    {
        if (Result is not null || Running.Any() || (!_stopped && (_next < Scenario.Ops.Length || _next == SourceThrowsAt)))
        {
            return;
        }

        if (_callerCanceled)
        {
            Result = new CanceledEnding();
        }
        else if (_sourceFirst || (_outcomes && _sourceFailed))
        {
            Result = new FaultEnding(SourceException!);
        }
        else if (_firstFailure is { } first)
        {
            Result = Ends[first] == OpEnd.Fault ? new FaultEnding(_exception(first)) : new CanceledEnding();
        }
        else if (_outcomes)
        {
            Result = new ValueEnding(string.Join(",", Enumerable.Range(0, Scenario.Ops.Length).Select(i => Ends[i] switch
            {
                OpEnd.Value => _plain ? "ok" : "v" + ColdWorld.ValueOf(i),
                OpEnd.Fault => "f" + i,
                _ => "c",
            })));
        }
        else
        {
            Result = new ValueEnding(_plain ? "ok" : string.Join(",", Enumerable.Range(0, Scenario.Ops.Length).Select(ColdWorld.ValueOf)));
        }
    }
}

namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// The model of FirstSuccessful: without a stagger every operation starts at once; with one, operation i+1 starts when
/// the stagger has passed since operation i started or as soon as operation i fails; with an infinite one, only when it
/// fails. The first success cancels the others, waits for them and wins; if all fail, an AggregateException of the
/// failures in input order; the caller's token cancels the running ones, waits, and throws OperationCanceledException.
/// </summary>
public sealed class FirstSuccessfulSim : ColdSim
{
    private readonly Func<int, Exception> _exception;
    private int _next;
    private int? _winner;
    private bool _callerCanceled;
    private int? _due;

    public FirstSuccessfulSim(ColdScenario scenario, Func<int, Exception> exception)
        : base(scenario) => _exception = exception;

    protected override bool NeedsClock => _due is not null && Result is null;

    protected override void OnCall()
    {
        if (Scenario.Token.Mode == TokenMode.PreCanceled)
        {
            // The contract does not say whether an operation starts under an already-cancelled token.
            Loose = true;
            _callerCanceled = true;
            Complete();
            return;
        }

        StartNext();
    }

    protected override void OnFinished(int i, OpEnd ending)
    {
        if (ending == OpEnd.Value && _winner is null)
        {
            if (_callerCanceled)
            {
                // A success after the caller's token fired: the contract says only "throws OperationCanceledException".
                AlsoAccepted.Add(Value(i));
            }
            else
            {
                _winner = i;
                _due = null;
                CancelRunning();
            }
        }

        if (ending != OpEnd.Value && _winner is null && !_callerCanceled && i == _next - 1 && Scenario.Stagger is not null)
        {
            StartNext();
        }

        Complete();
    }

    protected override void OnTick()
    {
        if (_due == Clock && _winner is null && !_callerCanceled)
        {
            StartNext();
        }
    }

    protected override void OnCallerCancel()
    {
        if (Result is not null || _callerCanceled)
        {
            return;
        }

        if (_winner is not null)
        {
            // The token fired while the winner waits for the others: the contract does not order the two.
            AlsoAccepted.Add(new CanceledEnding());
            return;
        }

        _callerCanceled = true;
        _due = null;
        CancelRunning();
        Complete();
    }

    private static ValueEnding Value(int i) => new ValueEnding(ColdWorld.ValueOf(i).ToString(System.Globalization.CultureInfo.InvariantCulture));

    private void StartNext()
    {
        if (Scenario.Stagger is null)
        {
            while (_next < Scenario.Ops.Length && _winner is null)
            {
                Start(_next++);
            }

            return;
        }

        if (_next < Scenario.Ops.Length)
        {
            int i = _next++;
            _due = Scenario.Stagger > 0 && _next < Scenario.Ops.Length ? Clock + Scenario.Stagger : null;
            Start(i);
        }
        else
        {
            _due = null;
        }
    }

    private void Complete()
    {
        if (Result is not null || Running.Any())
        {
            return;
        }

        if (_winner is { } winner)
        {
            Result = Value(winner);
        }
        else if (_callerCanceled)
        {
            Result = new CanceledEnding();
        }
        else if (_next == Scenario.Ops.Length && Ends.All(e => e is not null))
        {
            int n = Scenario.Ops.Length;
            OpEnd?[] ends = Ends.ToArray();
            Result = new FaultTypeEnding(
                typeof(AggregateException),
                e => e is AggregateException a && a.InnerExceptions.Count == n && Enumerable.Range(0, n).All(i =>
                    ends[i] == OpEnd.Fault ? ReferenceEquals(a.InnerExceptions[i], _exception(i)) : a.InnerExceptions[i] is OperationCanceledException));
        }
    }
}

namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// The model of WaitFor over an operation (3.12 semantics): on timeout or the caller's token the operation's token is
/// cancelled and WaitFor waits for it; a value is returned whatever cancelled it, a fault propagates, and an operation
/// that ends canceled gives OperationCanceledException when the caller's token fired, else TimeoutException.
/// </summary>
public sealed class WaitForColdSim : ColdSim
{
    private readonly bool _plain;
    private readonly Exception _exception;
    private bool _timedOut;
    private bool _callerCanceled;

    public WaitForColdSim(ColdScenario scenario, bool plain, Exception exception)
        : base(scenario)
    {
        _plain = plain;
        _exception = exception;
    }

    protected override bool NeedsClock => Scenario.TimeoutSeconds is > 0 && Result is null;

    protected override void OnCall()
    {
        if (Scenario.Token.Mode == TokenMode.PreCanceled)
        {
            // The contract does not say whether an operation starts under an already-cancelled token.
            Loose = true;
            _callerCanceled = true;
            AlsoAccepted.Add(new CanceledEnding());
            Start(0);
            CancelRunning();
            return;
        }

        Start(0);
        if (Result is null && Scenario.TimeoutSeconds == 0)
        {
            _timedOut = true;
            CancelRunning();
        }
    }

    protected override void OnFinished(int i, OpEnd ending) => Result = Own(ending);

    protected override void OnTick()
    {
        if (Result is null && Clock == Scenario.TimeoutSeconds)
        {
            _timedOut = true;
            CancelRunning();
        }
    }

    protected override void OnCallerCancel()
    {
        if (Result is null)
        {
            _callerCanceled = true;
            CancelRunning();
        }
    }

    private Ending Own(OpEnd ending) => ending switch
    {
        OpEnd.Value => new ValueEnding(_plain ? "ok" : ColdWorld.ValueOf(0).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        OpEnd.Fault => new FaultEnding(_exception),
        _ when _callerCanceled => new CanceledEnding(),
        _ when _timedOut => new FaultTypeEnding(typeof(TimeoutException), e => e.InnerException is OperationCanceledException),
        _ => new CanceledEnding(),
    };
}

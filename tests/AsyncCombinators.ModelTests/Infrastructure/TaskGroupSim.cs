namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// The model of TaskGroup. The first ⌈n/2⌉ operations are children the body runs at the call; child K+p is started by
/// child p from inside its own start (a nested Run). The body ends at step <see cref="ColdScenario.TimeoutSeconds"/>
/// (null: at once), throwing when <see cref="ColdScenario.Stagger"/> is set (lambda form only), and calls Cancel() at
/// step <see cref="ColdScenario.BreakAfter"/> (0: never). The first failure (a fault or synchronous throw of a child, or
/// the body's exception) cancels every child and makes Run throw InvalidOperationException; leaving the scope waits
/// for every child and throws an AggregateException of the failures (children cancelled by the group and children
/// that end canceled by themselves are not failures); the caller's token cancels the children and, if nothing failed,
/// leaving the scope throws OperationCanceledException.
/// </summary>
public sealed class TaskGroupSim : ColdSim
{
    public const int BodyEnd = 0;
    public const int GroupCancel = 1;

    private readonly int _topLevel;
    private bool _failed;
    private bool _cancelled;
    private bool _callerCanceled;
    private bool _bodyDone;

    public TaskGroupSim(ColdScenario scenario)
        : base(scenario) => _topLevel = (scenario.Ops.Length + 1) / 2;

    /// <summary>Gets the children whose Run must throw InvalidOperationException.</summary>
    public List<int> Rejected { get; } = new();

    /// <summary>Gets the failures the AggregateException must hold: child indexes, and -1 for the body's exception.</summary>
    public List<int> Failures { get; } = new();

    public bool BodyThrows => Scenario.Form == 1 && Scenario.Stagger is not null;

    /// <summary>Gets the child that child <paramref name="parent"/> starts, if any.</summary>
    public int? NestedChild(int parent) => parent < Scenario.Ops.Length - _topLevel ? _topLevel + parent : null;

    public int TopLevel => _topLevel;

    protected override void OnCall()
    {
        if (Scenario.Token.Mode == TokenMode.PreCanceled)
        {
            // The contract does not say whether children start under an already-cancelled token.
            Loose = true;
            _callerCanceled = true;
        }

        for (int i = 0; i < _topLevel; i++)
        {
            RunChild(i);
        }

        if (Scenario.BreakAfter > 0)
        {
            Schedule(GroupCancel, Scenario.BreakAfter, 1);
        }

        if (Scenario.TimeoutSeconds is { } end and > 0)
        {
            Schedule(BodyEnd, end, 2);
        }
        else
        {
            EndBody();
        }

        if (_callerCanceled)
        {
            CancelRunning();
        }

        Complete();
    }

    protected override void OnAction(int index)
    {
        if (index == GroupCancel)
        {
            _cancelled = true;
            CancelRunning();
        }
        else
        {
            EndBody();
        }

        Complete();
    }

    protected override void OnFinished(int i, OpEnd ending)
    {
        if (ending == OpEnd.Fault)
        {
            Failures.Add(i);
            Fail();
        }

        Complete();
    }

    protected override void OnCallerCancel()
    {
        if (Result is not null)
        {
            return;
        }

        _callerCanceled = true;
        CancelRunning();
        Complete();
    }

    private void EndBody()
    {
        _bodyDone = true;
        if (BodyThrows)
        {
            Failures.Add(-1);
            Fail();
        }
    }

    private void Fail()
    {
        if (!_failed)
        {
            _failed = true;
            CancelRunning();
        }
    }

    private void RunChild(int i)
    {
        if (_failed || _cancelled)
        {
            Rejected.Add(i);
            return;
        }

        if (NestedChild(i) is { } nested)
        {
            RunChild(nested);
        }

        Start(i);

        // A child whose Run was accepted before a nested child failed starts with the group's token already cancelled.
        if ((_callerCanceled || _failed || _cancelled) && Ends[i] is null)
        {
            CancelRunning();
        }
    }

    private void Complete()
    {
        if (Result is not null || !_bodyDone || Running.Any())
        {
            return;
        }

        if (Failures.Count > 0)
        {
            Result = new FaultTypeEnding(typeof(AggregateException));
        }
        else if (_callerCanceled)
        {
            Result = new CanceledEnding();
            if (_cancelled)
            {
                // Both the caller's token and Cancel(): the contract orders neither ("throws OperationCanceledException"
                // against Cancel's quiet end).
                AlsoAccepted.Add(new ValueEnding("ok"));
            }
        }
        else
        {
            Result = new ValueEnding("ok");
        }
    }
}

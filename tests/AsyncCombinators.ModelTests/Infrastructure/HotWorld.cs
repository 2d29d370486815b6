namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// Plays a <see cref="HotScenario"/>: one <see cref="TaskCompletionSource{T}"/> per distinct source, the input list with
/// its duplicates, the clock and the caller's token.
/// </summary>
public sealed class HotWorld
{
    private readonly TaskCompletionSource<int>[] _sources;

    public HotWorld(HotScenario scenario, string combinator, bool exceptionsMustBeObserved, TimerFault timerFault = TimerFault.None)
    {
        Scenario = scenario;
        Time = new ProbeTimeProvider(timerFault);
        TaskCreationOptions options = scenario.AsyncContinuations ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None;
        _sources = new TaskCompletionSource<int>[scenario.Sources.Length];
        Exceptions = new ScenarioException[scenario.Sources.Length];
        for (int i = 0; i < _sources.Length; i++)
        {
            _sources[i] = new TaskCompletionSource<int>(options);
            Exceptions[i] = new ScenarioException(exceptionsMustBeObserved, $"{combinator} source {i} of {scenario}");
        }

        Inputs = scenario.Inputs.Select(i => _sources[i].Task).ToArray();
        if (scenario.Token.Passed)
        {
            Cts = new CancellationTokenSource();
        }

        Events = scenario.Events();
    }

    public HotScenario Scenario { get; }

    public ProbeTimeProvider Time { get; }

    public CancellationTokenSource? Cts { get; }

    public CancellationToken Token => Cts?.Token ?? CancellationToken.None;

    /// <summary>Gets the input list, duplicates included.</summary>
    public Task<int>[] Inputs { get; }

    /// <summary>Gets each distinct source's task.</summary>
    public Task<int>[] Sources => _sources.Select(s => s.Task).ToArray();

    /// <summary>Gets the exception each source faults with.</summary>
    public ScenarioException[] Exceptions { get; }

    public List<TimelineEvent> Events { get; }

    /// <summary>Gets the value source <paramref name="i"/> succeeds with.</summary>
    public static int ValueOf(int i) => 1000 + i;

    /// <summary>Ends the sources due before the call and cancels a token cancelled before the call.</summary>
    public void BeforeCall()
    {
        for (int i = 0; i < _sources.Length; i++)
        {
            if (Scenario.Sources[i].Kind != InputKind.Never && Scenario.Sources[i].Step == 0)
            {
                Complete(i);
            }
        }

        if (Scenario.Token.Mode == TokenMode.PreCanceled)
        {
            Cts!.Cancel();
        }
    }

    public void Play(TimelineEvent e)
    {
        switch (e.Kind)
        {
            case EventKind.Complete:
                Complete(e.Index);
                break;
            case EventKind.Tick:
                Time.Advance(TimeSpan.FromSeconds(1));
                break;
            default:
                Cts!.Cancel();
                break;
        }
    }

    /// <summary>Observes every source's exception, for combinators that hand the tasks back to the caller.</summary>
    public void ObserveAll()
    {
        foreach (TaskCompletionSource<int> source in _sources)
        {
            _ = source.Task.Exception;
        }
    }

    /// <summary>Gets the sources that never end.</summary>
    public object[] NeverEnding() => _sources.Where((_, i) => Scenario.Sources[i].Kind == InputKind.Never).Cast<object>().ToArray();

    private void Complete(int i)
    {
        switch (Scenario.Sources[i].Kind)
        {
            case InputKind.Value:
                _sources[i].SetResult(ValueOf(i));
                break;
            case InputKind.Fault:
                _sources[i].SetException(Exceptions[i]);
                break;
            case InputKind.Cancel:
                _sources[i].SetCanceled();
                break;
            default:
                throw new InvalidOperationException("A hot source never has kind " + Scenario.Sources[i].Kind);
        }
    }
}

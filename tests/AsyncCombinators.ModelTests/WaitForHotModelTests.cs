using AsyncCombinators.ModelTests.Infrastructure;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// WaitFor over a hot task, generic and plain, against a model of the contract: the task's own outcome when it ends
/// first, TimeoutException at once on timeout (the task runs on), OperationCanceledException on the token, TimeSpan.Zero
/// returning an already-complete result, nothing left on the clock, the token or the task.
/// </summary>
public sealed class WaitForHotModelTests
{
    private readonly ITestOutputHelper _output;

    public WaitForHotModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void WaitFor_GeneratedHotTask_MatchesModel() =>
        ModelProperty.Run(Scenarios.Hot(1, 1, timeout: true, token: true, forms: 6, duplicates: false), Play, _output);

    /// <summary>Form: generic when Form &lt; 3; overload = Form % 3: 0 (task, timeout), 1 (task, timeout, token), 2 (task, timeout, timeProvider, token).</summary>
    internal static void Play(HotScenario scenario, LeakProbe? leaks)
    {
        bool generic = scenario.Form < 3;
        int overload = scenario.Form % 3;
        if (overload == 0)
        {
            scenario = scenario with { Token = new TokenPlan(TokenMode.None, 0, 0) };
        }

        if (overload < 2 && scenario.TimeoutSeconds != 0)
        {
            scenario = scenario with { TimeoutSeconds = null };
        }

        var world = new HotWorld(scenario, "WaitFor", exceptionsMustBeObserved: false);
        (List<Observation> expected, List<Ending> accepted) = Model(scenario, world, generic);
        world.BeforeCall();
        TimeSpan timeout = scenario.TimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : Timeout.InfiniteTimeSpan;
        Task<int> input = world.Inputs[0];
        CancellationToken token = world.Token;
        Task call = (generic, overload) switch
        {
            (true, 0) => Async.WaitFor(input, timeout),
            (true, 1) => Async.WaitFor(input, timeout, token),
            (true, _) => Async.WaitFor(input, timeout, world.Time, token),
            (false, 0) => Async.WaitFor((Task)input, timeout),
            (false, 1) => Async.WaitFor((Task)input, timeout, token),
            _ => Async.WaitFor((Task)input, timeout, world.Time, token),
        };
        bool pendingAtCall = !call.IsCompleted;
        Driver.Play(world.Events, world.Play, expected, () => new Observation(0, 0, call.IsCompleted), scenario);
        Endings.Require(Ending.Of(call, t => generic ? ((Task<int>)t).Result.ToString(System.Globalization.CultureInfo.InvariantCulture) : "ok"), accepted, scenario);
        if (call.IsCompleted)
        {
            // Task.WaitAsync completes its task before it disposes its timer (seed 5ROuRqizhe-i): the timer must go, promptly.
            Hang.Until(() => world.Time.Armed == 0, () => $"{world.Time.Armed} timer(s) still armed after the call completed. Scenario: {scenario}");
        }

        world.ObserveAll();
        if (leaks is not null && pendingAtCall && call.IsCompleted)
        {
            leaks.Track(call, scenario.ToString(), world.Cts, world.Time, world.NeverEnding());
        }
    }

    private static (List<Observation> Expected, List<Ending> Accepted) Model(HotScenario s, HotWorld world, bool generic)
    {
        HotSource source = s.Sources[0];
        Ending Own() => source.Kind switch
        {
            InputKind.Value => new ValueEnding(generic ? HotWorld.ValueOf(0).ToString(System.Globalization.CultureInfo.InvariantCulture) : "ok"),
            InputKind.Fault => new FaultEnding(world.Exceptions[0]),
            _ => new CanceledEnding(),
        };

        var accepted = new List<Ending>();
        bool doneAtCall = source.Kind != InputKind.Never && source.Step == 0;
        Ending? result = doneAtCall ? Own() : s.TimeoutSeconds == 0 ? new FaultTypeEnding(typeof(TimeoutException)) : null;
        if (s.Token.Mode == TokenMode.PreCanceled)
        {
            if (result is not null)
            {
                accepted.Add(new CanceledEnding());
            }

            result ??= new CanceledEnding();
        }

        var expected = new List<Observation> { new(0, 0, result is not null) };
        foreach (TimelineEvent e in world.Events)
        {
            result ??= e.Kind switch
            {
                EventKind.Complete => Own(),
                EventKind.Tick when e.Index == s.TimeoutSeconds => new FaultTypeEnding(typeof(TimeoutException)),
                EventKind.Cancel => new CanceledEnding(),
                _ => null,
            };
            expected.Add(new Observation(0, 0, result is not null));
        }

        accepted.Add(result ?? new PendingEnding());
        return (expected, accepted);
    }
}

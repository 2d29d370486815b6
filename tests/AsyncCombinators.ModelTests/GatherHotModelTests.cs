using System.Runtime.CompilerServices;
using AsyncCombinators.ModelTests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// Gather and GatherOutcomes over hot tasks, every form, against a sequential model of the contract: results in input
/// order, fail fast on the first failure the library observes (already-complete inputs examined in input order), the
/// caller's token cancels only the waiting, every input exception observed, nothing left on the caller's token.
/// </summary>
public sealed class GatherHotModelTests
{
    private readonly ITestOutputHelper _output;

    public GatherHotModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Gather_GeneratedHotTasks_MatchesModel()
    {
        ModelProperty.Run(
            Scenarios.Hot(0, 40, timeout: false, token: true, forms: 4),
            (s, leaks) => Play(s, GatherForm.List, leaks),
            _output);
    }

    [Fact]
    public void Gather_GeneratedHotTuples_MatchesModel()
    {
        ModelProperty.Run(
            Scenarios.Hot(2, 5, timeout: false, token: false, forms: 1).Where(s => s.Inputs.Length is >= 2 and <= 5),
            (s, leaks) => Play(s, GatherForm.Tuple, leaks),
            _output,
            0.5);
    }

    [Fact]
    public void GatherOutcomes_GeneratedHotTasks_MatchesModel()
    {
        ModelProperty.Run(
            Scenarios.Hot(0, 40, timeout: false, token: true, forms: 4),
            (s, leaks) => Play(s, GatherForm.Outcomes, leaks),
            _output);
    }

    internal enum GatherForm
    {
        List,
        Tuple,
        Outcomes,
    }

    /// <summary>Plays one scenario; forms 0/1 are generic (without/with token), 2/3 non-generic.</summary>
    internal static void Play(HotScenario scenario, GatherForm form, LeakProbe? leaks)
    {
        bool generic = scenario.Form < 2;
        bool withToken = scenario.Form % 2 == 1 && form != GatherForm.Tuple;
        if (!withToken)
        {
            scenario = scenario with { Token = new TokenPlan(TokenMode.None, 0, 0) };
        }

        var world = new HotWorld(scenario, "Gather", exceptionsMustBeObserved: form != GatherForm.Outcomes);
        (List<Observation> expected, List<Ending> accepted) = Model(scenario, world, form, generic);

        world.BeforeCall();
        Task call = Call(world, form, generic, withToken);
        bool pendingAtCall = !call.IsCompleted;
        Driver.Play(world.Events, world.Play, expected, () => new Observation(0, 0, call.IsCompleted), scenario);
        Endings.Require(Ending.Of(call, t => Render(t, world, form, generic)), accepted, scenario);
        if (form == GatherForm.Outcomes)
        {
            world.ObserveAll();
        }

        if (leaks is not null && pendingAtCall && call.IsCompleted)
        {
            leaks.Track(call, scenario.ToString(), world.Cts, world.Time);
        }
    }

    private static Task Call(HotWorld world, GatherForm form, bool generic, bool withToken)
    {
        Task<int>[] inputs = world.Inputs;
        CancellationToken token = world.Token;
        return (form, generic, withToken) switch
        {
            (GatherForm.Tuple, _, _) => inputs.Length switch
            {
                2 => Async.Gather(inputs[0], inputs[1]),
                3 => Async.Gather(inputs[0], inputs[1], inputs[2]),
                4 => Async.Gather(inputs[0], inputs[1], inputs[2], inputs[3]),
                _ => Async.Gather(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4]),
            },
            (GatherForm.List, true, false) => Async.Gather(inputs.AsEnumerable()),
            (GatherForm.List, true, true) => Async.Gather(inputs.AsEnumerable(), token),
            (GatherForm.List, false, false) => Async.Gather(inputs.Cast<Task>()),
            (GatherForm.List, false, true) => Async.Gather(inputs.Cast<Task>(), token),
            (GatherForm.Outcomes, true, false) => Async.GatherOutcomes(inputs.AsEnumerable()),
            (GatherForm.Outcomes, true, true) => Async.GatherOutcomes(inputs.AsEnumerable(), token),
            (GatherForm.Outcomes, false, false) => Async.GatherOutcomes(inputs.Cast<Task>()),
            _ => Async.GatherOutcomes(inputs.Cast<Task>(), token),
        };
    }

    private static string Render(Task task, HotWorld world, GatherForm form, bool generic)
    {
        switch (task)
        {
            case Task<int[]> values:
                return string.Join(",", values.Result);
            case Task<Outcome<int>[]> outcomes:
                return string.Join(",", outcomes.Result.Select(o => RenderOutcome(o.IsSuccess, o.IsFaulted, o.IsSuccess ? o.Value : 0, o.Exception, world)));
            case Task<Outcome[]> plain:
                return string.Join(",", plain.Result.Select(o => RenderOutcome(o.IsSuccess, o.IsFaulted, null, o.Exception, world)));
            default:
                if (form == GatherForm.Tuple)
                {
                    var tuple = (ITuple)task.GetType().GetProperty("Result")!.GetValue(task)!;
                    return string.Join(",", Enumerable.Range(0, tuple.Length).Select(i => tuple[i]));
                }

                return generic ? "?" : "ok";
        }
    }

    private static string RenderOutcome(bool success, bool faulted, int? value, Exception? exception, HotWorld world)
    {
        if (success)
        {
            return value is null ? "ok" : "v" + value;
        }

        if (faulted)
        {
            return "f" + Array.IndexOf(world.Exceptions, exception);
        }

        return exception is OperationCanceledException ? "c" : "c?";
    }

    /// <summary>The reference model: what the call looks like after the call and after each event, and how it may end.</summary>
    private static (List<Observation> Expected, List<Ending> Accepted) Model(HotScenario s, HotWorld world, GatherForm form, bool generic)
    {
        bool outcomes = form == GatherForm.Outcomes;
        var done = new bool[s.Sources.Length];
        Ending? result = null;
        var accepted = new List<Ending>();

        string RenderExpected()
        {
            if (outcomes)
            {
                return string.Join(",", s.Inputs.Select(i => s.Sources[i].Kind switch
                {
                    InputKind.Value => generic ? "v" + HotWorld.ValueOf(i) : "ok",
                    InputKind.Fault => "f" + i,
                    _ => "c",
                }));
            }

            return generic || form == GatherForm.Tuple ? string.Join(",", s.Inputs.Select(HotWorld.ValueOf)) : "ok";
        }

        Ending? Failure(int source) => s.Sources[source].Kind switch
        {
            InputKind.Fault when !outcomes => new FaultEnding(world.Exceptions[source]),
            InputKind.Cancel when !outcomes => new CanceledEnding(),
            _ => null,
        };

        bool AllDone() => s.Inputs.All(i => done[i]);

        for (int i = 0; i < s.Sources.Length; i++)
        {
            done[i] = s.Sources[i].Kind != InputKind.Never && s.Sources[i].Step == 0;
        }

        // Inputs already complete at the call are examined in input order.
        foreach (int input in s.Inputs)
        {
            if (done[input] && Failure(input) is { } failure)
            {
                result = failure;
                break;
            }
        }

        if (result is null && AllDone())
        {
            result = new ValueEnding(RenderExpected());
        }

        if (s.Token.Mode == TokenMode.PreCanceled)
        {
            // The contract does not order the already-complete fast path against an already-cancelled token.
            if (result is not null)
            {
                accepted.Add(new CanceledEnding());
            }

            result ??= new CanceledEnding();
        }

        var expected = new List<Observation> { new(0, 0, result is not null) };
        foreach (TimelineEvent e in world.Events)
        {
            if (e.Kind == EventKind.Complete)
            {
                done[e.Index] = true;
                if (result is null)
                {
                    result = Failure(e.Index) ?? (AllDone() ? new ValueEnding(RenderExpected()) : null);
                }
            }
            else if (e.Kind == EventKind.Cancel)
            {
                result ??= new CanceledEnding();
            }

            expected.Add(new Observation(0, 0, result is not null));
        }

        accepted.Add(result ?? new PendingEnding());
        return (expected, accepted);
    }
}

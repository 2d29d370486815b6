using System.Runtime.CompilerServices;
using AsyncCombinators.ModelTests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// Gather and GatherOutcomes over cold operations (lists with maxConcurrency and a token, tuples of 2..5) against the
/// model in <see cref="GatherColdSim"/>: start order, the bound, fail fast with cancellation of the running ones,
/// nothing left running when the call completes, every exception observed.
/// </summary>
public sealed class GatherColdModelTests
{
    private readonly ITestOutputHelper _output;

    public GatherColdModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Gather_GeneratedOperations_MatchesModel() =>
        ModelProperty.Run(
            ColdScenarios.Cold(0, 40, timeout: false, token: true, bound: true, stagger: false, breakEarly: false, forms: 3),
            (s, leaks) => Play(s, outcomes: false, leaks),
            _output);

    [Fact]
    public void Gather_GeneratedOperationTuples_MatchesModel() =>
        ModelProperty.Run(
            ColdScenarios.Cold(2, 5, timeout: false, token: true, bound: false, stagger: false, breakEarly: false, forms: 1)
                .Where(s => s.Ops.Length is >= 2 and <= 5)
                .Select(s => s with { Form = 3 }),
            (s, leaks) => Play(s, outcomes: false, leaks),
            _output,
            0.5);

    [Fact]
    public void GatherOutcomes_GeneratedOperations_MatchesModel() =>
        ModelProperty.Run(
            ColdScenarios.Cold(0, 40, timeout: false, token: true, bound: true, stagger: false, breakEarly: false, forms: 3),
            (s, leaks) => Play(s, outcomes: true, leaks),
            _output);

    /// <summary>Form: 0 (ops), 1 (ops, maxConcurrency), 2 (ops, maxConcurrency, token), 3 (a tuple of the ops, token).</summary>
    internal static void Play(ColdScenario scenario, bool outcomes, LeakProbe? leaks)
    {
        if (scenario.Form is 0 or 1)
        {
            scenario = scenario with { Token = new TokenPlan(TokenMode.None, 0, 0) };
        }

        if (scenario.Form is 0 or 3)
        {
            scenario = scenario with { MaxConcurrency = 0 };
        }

        var world = new ColdWorld(scenario, outcomes ? "GatherOutcomes" : "Gather", exceptionsMustBeObserved: !outcomes);
        var model = new GatherColdSim(scenario, outcomes, plain: false, i => world.Exceptions[i]);
        model.Run();

        world.BeforeCall();
        Task call = Call(world, outcomes);
        bool pendingAtCall = !call.IsCompleted;
        Driver.Play(model.Events, world.Play, model.Expected, () => new Observation(world.StartedCount, 0, call.IsCompleted), scenario);
        Driver.Require(world.StartOrder == string.Join(",", model.StartOrder), () => $"started [{world.StartOrder}], the model [{string.Join(",", model.StartOrder)}]", scenario);
        Endings.Require(Ending.Of(call, t => Render(t, world)), model.Accepted, scenario);
        if (call.IsCompleted)
        {
            Driver.Require(world.Running().Length == 0, () => $"operations [{string.Join(",", world.Running())}] still running after the call completed", scenario);
            if (!outcomes && call.IsFaulted)
            {
                CheckAggregate(call.Exception!, model, world, scenario);
            }
        }

        if (outcomes)
        {
            world.ObserveAll();
        }

        if (leaks is not null && pendingAtCall && call.IsCompleted)
        {
            leaks.Track(call, scenario.ToString(), world.Cts, world.Time);
        }
    }

    /// <summary>The AggregateException holds every fault, the first failure first, and no other exception but a late self-cancellation.</summary>
    private static void CheckAggregate(AggregateException aggregate, GatherColdSim model, ColdWorld world, ColdScenario scenario)
    {
        var inner = aggregate.InnerExceptions.ToList();
        Exception[] faults = model.Faults.Select(i => (Exception)world.Exceptions[i]).ToArray();
        Driver.Require(faults.All(f => inner.Contains(f)), () => $"the AggregateException lacks a fault: holds [{string.Join(", ", inner.Select(e => e.Message))}]", scenario);
        Driver.Require(inner.Count == inner.Distinct().Count(), () => "the AggregateException holds an exception twice", scenario);
        int others = inner.Count(e => !faults.Contains(e));
        Driver.Require(
            others <= model.LateSelfCancels && inner.Where(e => !faults.Contains(e)).All(e => e is OperationCanceledException),
            () => $"the AggregateException holds {others} exception(s) that are not failures: [{string.Join(", ", inner.Select(e => e.GetType().Name))}]",
            scenario);
    }

    private static Task Call(ColdWorld world, bool outcomes)
    {
        Func<CancellationToken, Task<int>>[] ops = world.Operations;
        CancellationToken token = world.Token;
        int max = world.Scenario.MaxConcurrency;
        if (world.Scenario.Form == 3)
        {
            return ops.Length switch
            {
                2 => Async.Gather(ops[0], ops[1], token),
                3 => Async.Gather(ops[0], ops[1], ops[2], token),
                4 => Async.Gather(ops[0], ops[1], ops[2], ops[3], token),
                _ => Async.Gather(ops[0], ops[1], ops[2], ops[3], ops[4], token),
            };
        }

        IEnumerable<Func<CancellationToken, Task<int>>> list = ops;
        return (outcomes, world.Scenario.Form, max) switch
        {
            (false, 0, _) or (false, 1, 0) => Async.Gather(list),
            (false, 1, _) => Async.Gather(list, max),
            (false, _, 0) => Async.Gather(list, cancellationToken: token),
            (false, _, _) => Async.Gather(list, maxConcurrency: max, cancellationToken: token),
            (true, 0, _) or (true, 1, 0) => Async.GatherOutcomes(list),
            (true, 1, _) => Async.GatherOutcomes(list, max),
            (true, _, 0) => Async.GatherOutcomes(list, cancellationToken: token),
            _ => Async.GatherOutcomes(list, maxConcurrency: max, cancellationToken: token),
        };
    }

    private static string Render(Task task, ColdWorld world)
    {
        switch (task)
        {
            case Task<int[]> values:
                return string.Join(",", values.Result);
            case Task<Outcome<int>[]> outcomes:
                return string.Join(",", outcomes.Result.Select(o => o.IsSuccess ? "v" + o.Value : o.IsFaulted ? "f" + Array.IndexOf(world.Exceptions, o.Exception) : "c"));
            default:
                var tuple = (ITuple)task.GetType().GetProperty("Result")!.GetValue(task)!;
                return string.Join(",", Enumerable.Range(0, tuple.Length).Select(i => tuple[i]));
        }
    }
}

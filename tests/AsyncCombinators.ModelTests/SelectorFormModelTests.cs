using AsyncCombinators.ModelTests.Infrastructure;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// The selector forms of Gather, GatherOutcomes and AsCompleted over a lazily read IEnumerable or IAsyncEnumerable
/// source, including a source that throws at a position, against <see cref="GatherColdSim"/> and
/// <see cref="AsCompletedColdSim"/>: a selector call is one operation, the source is read one item per start and
/// disposed, and its failure is a failure like an operation's.
/// </summary>
public sealed class SelectorFormModelTests
{
    private readonly ITestOutputHelper _output;

    public SelectorFormModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Gather_GeneratedSourceAndSelector_MatchesModel() =>
        ModelProperty.Run(StreamScenarios.Stream(40, paced: false, forms: 2, requireBound: false), (s, leaks) => PlayGather(s, outcomes: false, leaks), _output);

    [Fact]
    public void GatherOutcomes_GeneratedSourceAndSelector_MatchesModel() =>
        ModelProperty.Run(StreamScenarios.Stream(40, paced: false, forms: 2, requireBound: false), (s, leaks) => PlayGather(s, outcomes: true, leaks), _output);

    [Fact]
    public void AsCompleted_GeneratedSourceAndSelector_MatchesModel() =>
        ModelProperty.Run(StreamScenarios.Stream(40, paced: false, forms: 2, requireBound: false), PlayAsCompleted, _output);

    private static (ColdWorld World, LazySource Source, List<string> Problems) Arrange(ref StreamScenario stream, string combinator, bool observed)
    {
        stream = stream with { Cold = stream.Cold with { BreakAfter = 0 } };
        ColdScenario scenario = stream.Cold;
        var world = new ColdWorld(scenario, combinator, observed);
        var source = new LazySource(scenario.Ops.Length, stream.SourceThrowsAt, stream.ToString());
        var problems = new List<string>();
        source.OnTake = k =>
        {
            if (world.StartedCount != k)
            {
                lock (problems)
                {
                    problems.Add($"item {k} taken from the source with {world.StartedCount} operation(s) started: read ahead");
                }
            }
        };
        return (world, source, problems);
    }

    private static void RequireSource(StreamScenario stream, LazySource source, List<string> problems, bool ended)
    {
        lock (problems)
        {
            Driver.Require(problems.Count == 0, () => string.Join("; ", problems), stream);
        }

        if (ended)
        {
            Driver.Require(source.Enumerations <= 1 && source.Disposals == source.Enumerations, () => $"{source.Enumerations} enumeration(s) of the source, {source.Disposals} disposed", stream);
        }
    }

    /// <summary>Form: 0 (source, selector, maxConcurrency, token), 1 (source, selector, ConcurrencyOptions, token).</summary>
    private static void PlayGather(StreamScenario stream, bool outcomes, LeakProbe? leaks)
    {
        (ColdWorld world, LazySource source, List<string> problems) = Arrange(ref stream, outcomes ? "GatherOutcomes" : "Gather", !outcomes);
        ColdScenario scenario = stream.Cold;
        var model = new GatherColdSim(scenario, outcomes, plain: false, i => world.Exceptions[i]) { SourceThrowsAt = stream.SourceThrowsAt, SourceException = source.Exception };
        model.Run();

        world.BeforeCall();
        Func<int, CancellationToken, Task<int>> selector = (item, ct) => world.Operations[item](ct);
        int max = scenario.MaxConcurrency == 0 ? int.MaxValue : scenario.MaxConcurrency;
        var options = new ConcurrencyOptions { MaxConcurrency = scenario.MaxConcurrency == 0 ? null : max };
        Task call = (outcomes, stream.AsyncSource, scenario.Form) switch
        {
            (false, false, 0) => Async.Gather((IEnumerable<int>)source, selector, max, world.Token),
            (false, false, _) => Async.Gather((IEnumerable<int>)source, selector, options, world.Token),
            (false, true, 0) => Async.Gather((IAsyncEnumerable<int>)source, selector, max, world.Token),
            (false, true, _) => Async.Gather((IAsyncEnumerable<int>)source, selector, options, world.Token),
            (true, false, 0) => Async.GatherOutcomes((IEnumerable<int>)source, selector, max, world.Token),
            (true, false, _) => Async.GatherOutcomes((IEnumerable<int>)source, selector, options, world.Token),
            (true, true, 0) => Async.GatherOutcomes((IAsyncEnumerable<int>)source, selector, max, world.Token),
            _ => Async.GatherOutcomes((IAsyncEnumerable<int>)source, selector, options, world.Token),
        };
        bool pendingAtCall = !call.IsCompleted;
        Driver.Play(model.Events, world.Play, model.Expected, () => new Observation(world.StartedCount, 0, call.IsCompleted), stream);
        Driver.Require(world.StartOrder == string.Join(",", model.StartOrder), () => $"started [{world.StartOrder}], the model [{string.Join(",", model.StartOrder)}]", stream);
        Endings.Require(Ending.Of(call, t => Render(t, world)), model.Accepted, stream);
        ColdDriver.RequireNothingLeft(world, call.IsCompleted);
        RequireSource(stream, source, problems, call.IsCompleted);
        if (outcomes)
        {
            world.ObserveAll();
        }

        if (leaks is not null && pendingAtCall && call.IsCompleted)
        {
            leaks.Track(call, stream.ToString(), world.Cts, world.Time);
        }
    }

    /// <summary>Form: 0 (source, selector, maxConcurrency, token), 1 (source, selector, ConcurrencyOptions, token); consumed eagerly.</summary>
    private static void PlayAsCompleted(StreamScenario stream, LeakProbe? leaks)
    {
        (ColdWorld world, LazySource source, List<string> problems) = Arrange(ref stream, "AsCompleted", false);
        ColdScenario scenario = stream.Cold;
        var model = new AsCompletedColdSim(scenario) { SourceThrowsAt = stream.SourceThrowsAt };
        model.Run();

        world.BeforeCall();
        Func<int, CancellationToken, Task<int>> selector = (item, ct) => world.Operations[item](ct);
        int max = scenario.MaxConcurrency == 0 ? int.MaxValue : scenario.MaxConcurrency;
        var options = new ConcurrencyOptions { MaxConcurrency = scenario.MaxConcurrency == 0 ? null : max };
        IAsyncEnumerable<(int Index, Task<int> Task)> sequence = (stream.AsyncSource, scenario.Form) switch
        {
            (false, 0) => Async.AsCompleted((IEnumerable<int>)source, selector, max, world.Token),
            (false, _) => Async.AsCompleted((IEnumerable<int>)source, selector, options, world.Token),
            (true, 0) => Async.AsCompleted((IAsyncEnumerable<int>)source, selector, max, world.Token),
            _ => Async.AsCompleted((IAsyncEnumerable<int>)source, selector, options, world.Token),
        };
        var consumer = new StreamConsumer(paced: false, breakAfter: 0, e => e is OperationCanceledException ? nameof(OperationCanceledException) : e.GetType().Name);
        consumer.Start(Indexes(sequence, world));
        ColdDriver.Play(model, world, () => new Observation(world.StartedCount, consumer.Count, consumer.Ended));

        string expectedOrder = string.Join(",", model.Order);
        string yielded = string.Join(",", consumer.Items);
        bool open = model.Canceled || model.SourceFailed;
        // After a stop the model leaves open whether completions in the same instant are yielded: the two agree on a prefix.
        Driver.Require(open ? yielded.StartsWith(expectedOrder, StringComparison.Ordinal) || expectedOrder.StartsWith(yielded, StringComparison.Ordinal) : yielded == expectedOrder, () => $"yielded [{yielded}], the model [{expectedOrder}]", stream);
        Endings.Require(new ValueEnding(consumer.EndText), model.Accepted.Select(e => e is PendingEnding ? new ValueEnding("pending") : e).ToList(), stream);
        ColdDriver.RequireNothingLeft(world, consumer.Ended);
        RequireSource(stream, source, problems, consumer.Ended);
        world.ObserveAll();
        if (leaks is not null && consumer.Ended && consumer.Enumerator is not null)
        {
            leaks.Track(consumer.Enumerator, stream.ToString(), world.Cts, world.Time);
        }
    }

    /// <summary>The yielded indexes, each checked to come with a completed task that is the operation's own.</summary>
    private static async IAsyncEnumerable<int> Indexes(IAsyncEnumerable<(int Index, Task<int> Task)> sequence, ColdWorld world)
    {
        await foreach ((int index, Task<int> task) in sequence)
        {
            if (!task.IsCompleted || (world.TaskOf(index) is { } own && !ReferenceEquals(own, task)))
            {
                throw new ModelDivergenceException($"operation {index} was yielded incomplete or as another task. Scenario: {world.Scenario}");
            }

            yield return index;
        }
    }

    private static string Render(Task task, ColdWorld world) => task switch
    {
        Task<int[]> values => string.Join(",", values.Result),
        Task<Outcome<int>[]> outcomes => string.Join(",", outcomes.Result.Select(o => o.IsSuccess ? "v" + o.Value : o.IsFaulted ? "f" + Array.IndexOf(world.Exceptions, o.Exception) : "c")),
        _ => "ok",
    };
}

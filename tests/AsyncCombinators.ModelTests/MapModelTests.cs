using AsyncCombinators.ModelTests.Infrastructure;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>
/// Map over a lazily read IEnumerable or IAsyncEnumerable source (ordered and unordered, int bound or
/// ConcurrencyOptions, a consumer that asks at once or slowly, leaving early, the caller's token, a source that throws
/// at a position) against <see cref="MapSim"/>: the items received and their order, the back-pressure bound, the first
/// failure ending the run, the source read one item per start and disposed, and nothing left running.
/// </summary>
public sealed class MapModelTests
{
    private readonly ITestOutputHelper _output;

    public MapModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Map_GeneratedSourceAndSelector_MatchesModel() =>
        ModelProperty.Run(StreamScenarios.Stream(40, paced: true, forms: 2), Play, _output);

    /// <summary>Form: 0 (source, selector, maxConcurrency, ordered, token), 1 (source, selector, ConcurrencyOptions, ordered, token).</summary>
    internal static void Play(StreamScenario stream, LeakProbe? leaks)
    {
        ColdScenario scenario = stream.Cold;
        var world = new ColdWorld(scenario, "Map", exceptionsMustBeObserved: true);
        var source = new LazySource(scenario.Ops.Length, stream.SourceThrowsAt, stream.ToString());
        var model = new MapSim(stream);
        model.Run();

        var problems = new List<string>();
        int max = scenario.MaxConcurrency;
        source.OnTake = k =>
        {
            if (world.StartedCount != k)
            {
                lock (problems)
                {
                    problems.Add($"item {k} taken from the source with {world.StartedCount} selector(s) started: read ahead");
                }
            }
        };
        world.OnStarting = i =>
        {
            if (world.Running().Length >= max)
            {
                lock (problems)
                {
                    problems.Add($"selector {i} started with {world.Running().Length} running at a bound of {max}");
                }
            }
        };
        var consumer = new StreamConsumer(stream.PullGap > 0, scenario.BreakAfter, StreamConsumer.Names(world, source.Exception));
        world.OnAction = _ => consumer.Pull();

        world.BeforeCall();
        Func<int, CancellationToken, Task<int>> selector = (item, ct) => world.Operations[item](ct);
        var options = new ConcurrencyOptions { MaxConcurrency = max };
        IAsyncEnumerable<int> sequence = (stream.AsyncSource, scenario.Form) switch
        {
            (false, 0) => Async.Map((IEnumerable<int>)source, selector, max, stream.Ordered, world.Token),
            (false, _) => Async.Map((IEnumerable<int>)source, selector, options, stream.Ordered, world.Token),
            (true, 0) => Async.Map((IAsyncEnumerable<int>)source, selector, max, stream.Ordered, world.Token),
            _ => Async.Map((IAsyncEnumerable<int>)source, selector, options, stream.Ordered, world.Token),
        };
        consumer.Start(sequence, () =>
        {
            Driver.Require(world.StartedCount == 0 && source.Enumerations == 0, () => "the source was read or a selector started before the first MoveNextAsync", stream);
        });
        ColdDriver.Play(model, world, () => new Observation(world.StartedCount, consumer.Count, consumer.Ended));

        string received = string.Join(",", consumer.Items.Select(v => v - 2000));
        string expected = string.Join(",", model.Order);
        Driver.Require(model.Loose || received == expected, () => $"received [{received}], the model [{expected}]", stream);
        lock (problems)
        {
            Driver.Require(problems.Count == 0, () => string.Join("; ", problems), stream);
        }

        Endings.Require(new ValueEnding(consumer.EndText), model.Accepted.Select(e => e is PendingEnding ? new ValueEnding("pending") : e).ToList(), stream);
        ColdDriver.RequireNothingLeft(world, consumer.Ended);
        if (consumer.Ended)
        {
            Driver.Require(source.Disposals == source.Enumerations, () => $"{source.Enumerations} enumeration(s) of the source, {source.Disposals} disposed", stream);
            // Leaving the loop races with the start its last hand-over allowed: that item may or may not have been taken.
            int slack = consumer.EndText == "break" ? 1 : 0;
            Driver.Require(
                model.Loose || Math.Abs(source.Taken - model.Taken) <= slack,
                () => $"{source.Taken} item(s) taken from the source, the model {model.Taken}",
                stream);
            if (leaks is not null && consumer.Enumerator is not null)
            {
                leaks.Track(consumer.Enumerator, stream.ToString(), world.Cts, world.Time);
            }
        }
    }
}

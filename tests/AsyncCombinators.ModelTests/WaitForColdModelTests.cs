using AsyncCombinators.ModelTests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests;

/// <summary>WaitFor over a cold operation, generic and plain, every overload, against <see cref="WaitForColdSim"/>.</summary>
public sealed class WaitForColdModelTests
{
    private readonly ITestOutputHelper _output;

    public WaitForColdModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void WaitFor_GeneratedOperation_MatchesModel() =>
        ModelProperty.Run(
            ColdScenarios.Cold(1, 1, timeout: true, token: true, bound: false, stagger: false, breakEarly: false, forms: 6),
            Play,
            _output);

    /// <summary>Form: generic when Form &lt; 3; overload = Form % 3: 0 (op, timeout), 1 (op, timeout, token), 2 (op, timeout, timeProvider, token).</summary>
    internal static void Play(ColdScenario scenario, LeakProbe? leaks)
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

        var world = new ColdWorld(scenario, "WaitFor", exceptionsMustBeObserved: true);
        var model = new WaitForColdSim(scenario, !generic, world.Exceptions[0]);
        model.Run();
        world.BeforeCall();
        TimeSpan timeout = scenario.TimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : Timeout.InfiniteTimeSpan;
        CancellationToken token = world.Token;
        Task call = (generic, overload) switch
        {
            (true, 0) => Async.WaitFor(world.Operations[0], timeout),
            (true, 1) => Async.WaitFor(world.Operations[0], timeout, token),
            (true, _) => Async.WaitFor(world.Operations[0], timeout, world.Time, token),
            (false, 0) => Async.WaitFor(world.PlainOperations[0], timeout),
            (false, 1) => Async.WaitFor(world.PlainOperations[0], timeout, token),
            _ => Async.WaitFor(world.PlainOperations[0], timeout, world.Time, token),
        };
        bool pendingAtCall = !call.IsCompleted;
        ColdDriver.Play(model, world, () => new Observation(world.StartedCount, 0, call.IsCompleted));
        Endings.Require(
            Ending.Of(call, t => generic ? ((Task<int>)t).Result.ToString(System.Globalization.CultureInfo.InvariantCulture) : "ok"),
            model.Accepted,
            scenario);
        ColdDriver.RequireNothingLeft(world, call.IsCompleted);
        if (leaks is not null && pendingAtCall && call.IsCompleted)
        {
            leaks.Track(call, scenario.ToString(), world.Cts, world.Time);
        }
    }
}

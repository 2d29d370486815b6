namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// What a scenario can see of a call at one moment. Every component only grows, so a value past the model's
/// prediction is a divergence at once, and a value short of it means the library has not reacted yet. The last
/// <see cref="StartsMayLack"/> starts the model counts race the consumer leaving, so they may never come.
/// </summary>
public readonly record struct Observation(int Started, int Yielded, bool Completed, int StartsMayLack = 0)
{
    /// <summary>A <see cref="Yielded"/> value that the model does not predict.</summary>
    public const int AnyYield = -1;

    public bool Exceeds(Observation expected) =>
        Started > expected.Started || (expected.Yielded != AnyYield && Yielded > expected.Yielded) || (Completed && !expected.Completed);

    public bool Reaches(Observation expected) =>
        Started <= expected.Started && Started >= expected.Started - expected.StartsMayLack && (expected.Yielded == AnyYield || Yielded == expected.Yielded) && Completed == expected.Completed;

    public override string ToString() =>
        $"started={Started}{(StartsMayLack > 0 ? $" (or {StartsMayLack} fewer)" : string.Empty)} yielded={Yielded} completed={Completed}";
}

/// <summary>Plays a timeline and, after each event, waits for the library to reach the state the model predicts.</summary>
public static class Driver
{
    public static void Play(
        IReadOnlyList<TimelineEvent> events,
        Action<TimelineEvent> play,
        IReadOnlyList<Observation> expected,
        Func<Observation> actual,
        object scenario)
    {
        Expect(expected[0], actual, "after the call", scenario);
        for (int i = 0; i < events.Count; i++)
        {
            play(events[i]);
            Expect(expected[i + 1], actual, $"after event {i} ({events[i]})", scenario);
        }
    }

    public static void Expect(Observation expected, Func<Observation> actual, string where, object scenario)
    {
        Hang.Until(
            () =>
            {
                Observation now = actual();
                if (now.Exceeds(expected))
                {
                    throw new ModelDivergenceException($"{where}: expected {expected}, observed {now}. Scenario: {scenario}");
                }

                return now.Reaches(expected);
            },
            () => $"{where}: expected {expected}, observed {actual()}. Scenario: {scenario}");
    }

    /// <summary>Throws a <see cref="ModelDivergenceException"/> unless <paramref name="condition"/> holds.</summary>
    public static void Require(bool condition, Func<string> what, object scenario)
    {
        if (!condition)
        {
            throw new ModelDivergenceException($"{what()}. Scenario: {scenario}");
        }
    }
}

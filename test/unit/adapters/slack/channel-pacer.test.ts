import { ChannelPacer } from "../../../../src/adapters/slack/channel-pacer";

/** Order is what these check; the pace itself is Slack's business and the benches'. */
describe("the channel pacer", () => {
  const post = (sent: string[], name: string) => async () => {
    sent.push(name);
  };

  it("lets a burst of first-lane posts go at once, in order", async () => {
    const pacer = new ChannelPacer(1000, 3);
    const sent: string[] = [];
    await Promise.all(["card", "diagnosis", "approval"].map((n) => pacer.run("C1", post(sent, n))));
    expect(sent).toEqual(["card", "diagnosis", "approval"]);
  });

  it("gives a reply no burst: a first-lane post that comes a moment later still goes before it", async () => {
    const pacer = new ChannelPacer(1000, 3);
    const sent: string[] = [];
    const diagnosis = pacer.run("C1", post(sent, "diagnosis"));
    const reply = pacer.run("C1", post(sent, "reply"), "later");
    await diagnosis;
    // The approval card is made from the diagnosis: it comes after it, not with it.
    await new Promise((done) => setTimeout(done, 20));
    const approval = pacer.run("C1", post(sent, "approval"));
    await Promise.all([reply, approval]);
    expect(sent).toEqual(["diagnosis", "approval", "reply"]);
  });

  it("lets a first-lane post go at once while a reply waits for the pace (fake clock)", async () => {
    jest.useFakeTimers();
    try {
      const pacer = new ChannelPacer(1000, 3);
      const sent: string[] = [];
      void pacer.run("C1", post(sent, "diagnosis"));
      void pacer.run("C1", post(sent, "reply"), "later");
      await jest.advanceTimersByTimeAsync(20);
      expect(sent).toEqual(["diagnosis"]);
      void pacer.run("C1", post(sent, "final"));
      await jest.advanceTimersByTimeAsync(1);
      // The burst still had room: the final diagnosis did not wait for the reply's turn.
      expect(sent).toEqual(["diagnosis", "final"]);
      await jest.advanceTimersByTimeAsync(3000);
      expect(sent).toEqual(["diagnosis", "final", "reply"]);
    } finally {
      jest.useRealTimers();
    }
  });

  it("keeps channels apart and each lane in its order", async () => {
    const pacer = new ChannelPacer(10, 1);
    const sent: string[] = [];
    await Promise.all([
      pacer.run("C1", post(sent, "r1"), "later"),
      pacer.run("C1", post(sent, "r2"), "later"),
      pacer.run("C2", post(sent, "other")),
      pacer.run("C1", post(sent, "m1")),
    ]);
    expect(sent.filter((s) => s !== "other")).toEqual(["r1", "m1", "r2"]);
    expect(sent).toContain("other");
  });
});

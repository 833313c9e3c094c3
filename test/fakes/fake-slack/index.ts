export { FakeSlack, startFakeSlack } from "./server";
export type { FakeSlackOptions, RecordedCall } from "./server";
export type { FakeChannel, FakeEphemeral, FakeFile, FakeMessage, FakeResponse } from "./state";
export type { FakeSocketConnection, SocketEnvelopeType, SocketModeAck } from "./socket-mode";

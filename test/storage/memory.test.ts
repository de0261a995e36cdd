import { createMemoryStore } from '../../storage/memory.js';
import { describeStoreConformance } from './conformance.js';

describeStoreConformance('memory', async () => ({ store: createMemoryStore() }));

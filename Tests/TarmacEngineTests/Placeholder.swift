// placeholder until the engine tests land

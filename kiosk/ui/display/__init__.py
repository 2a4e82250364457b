"""The waiting-room display's Qt side: the wall screen and the application around it."""
